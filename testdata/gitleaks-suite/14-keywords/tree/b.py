checksum = "3e8a1f7c9b2d4e6f8a0c1e3b5d7f9a2c"
