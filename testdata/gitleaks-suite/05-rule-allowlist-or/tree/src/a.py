A = "itk_c60556faeabc706d50329d06"
B = "itk_1c754c4ec33f75fa0989fb48"
