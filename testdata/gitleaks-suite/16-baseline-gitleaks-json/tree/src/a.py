A = "itk_1a24f1ab1d5ea42d199528f8"
B = "itk_3b248032aaae27e1079b2b77"
