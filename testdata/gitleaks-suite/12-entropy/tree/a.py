A = "itk_aabbaabbaabbaabbaabbaabb"
B = "itk_8bd35a4953fe91e29b753736"
