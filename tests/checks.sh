# The shell suites' counters, sourced after cd to the repository: ok and
# bad count a check (bad says why, as a FAIL line), check runs one
# ("check DESCRIPTION -- command..."). Each suite ends with
# echo "$passed passed, $failed failed".
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() {
	what=$1
	shift 2
	if "$@"; then ok; else bad "$what"; fi
}
