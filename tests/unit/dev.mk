# tests/unit/dev.mk — cmocka tests of the device layer.
