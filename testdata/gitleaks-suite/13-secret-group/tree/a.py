usr_key = "a1b2a1b2c3a1b2c3a1b2a1b2"
svc_key = "1a24f1ab1d5ea42d199528f8"
