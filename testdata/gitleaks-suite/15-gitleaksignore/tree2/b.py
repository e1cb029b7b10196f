B = "itk_3b248032aaae27e1079b2b77"
C = "itk_c60556faeabc706d50329d06"
