# tests/unit/ondisk.mk — cmocka tests of ondisk/.
