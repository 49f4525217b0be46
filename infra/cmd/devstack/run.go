package main

func runCmd(args []string) error { return nil }
