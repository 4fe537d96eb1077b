// Package e2e holds kefu's end-to-end tests: they build the real kefu binary once
// (TestMain), start it as separate processes on free ports with their own data
// directories, and talk to them over HTTP and through the CLI, exactly as an operator
// would. Tests that need PostgreSQL and Redis skip loudly when those are unreachable,
// unless KEFU_TEST_REQUIRE_SERVICES=1 (CI), where they fail.
//
//	go test -count=1 ./e2e/
package e2e
