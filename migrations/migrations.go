// Package migrations holds kefu's SQL migrations, one folder per dialect, embedded into
// the binary. PostgreSQL is the reference schema; sqlite/ mirrors it without roles and
// row-level security.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
