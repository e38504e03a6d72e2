package usage

// SetFreezeWindow lets the tests freeze in small windows.
func SetFreezeWindow(s *Service, n int) { s.freezeWindow = n }
