A = "itk_1c754c4ec33f75fa0989fb48"
