// Package drivers holds the data the product ships about hardware and middleware: the CPx ATR
// table (atr.tsv) and the PKCS#11 module catalogue (modules.json), embedded in the binaries.
package drivers
