package clash

func Local() []string {
	secrets := []string{"AKIAAJ08XUI6D39ZZZZG"} // want `replace with leakfixsecrets.Get\("aws-access-key-id"\)`
	return secrets
}
