B = "itk_3b248032aaae27e1079b2b77"
