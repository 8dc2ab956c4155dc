package collect

func helperMain() bool { return false }
