A = "itk_1a24f1ab1d5ea42d199528f8"
