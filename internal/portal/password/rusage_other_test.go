//go:build !unix

package password

import "time"

// cpuTime is not measured on this OS: the CPU metric reads 0.
func cpuTime() time.Duration { return 0 }
