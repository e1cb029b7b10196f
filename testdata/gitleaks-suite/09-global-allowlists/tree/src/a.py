A = "itk_3b248032aaae27e1079b2b77"
B = "itk_c60556faeabc706d50329d06"
C = "itk_1c754c4ec33f75fa0989fb48"
