package emulator

// SetWaitHook registers fn to run whenever a request starts waiting
// (latency of WithLatency or of a Fault), so tests can act while a request
// is pending without sleeping.
func (s *Server) SetWaitHook(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitHook = fn
}
