//go:build !windows

package config

// machineLayers: only Windows has machine layers (the registry); elsewhere the system file and
// its drop-ins are the machine-wide settings.
func machineLayers() ([]Layer, error) { return nil, nil }

// MachineSources names the machine layers for reports: none here.
func MachineSources() []string { return nil }
