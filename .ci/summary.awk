# The closing line of a test run, from `cargo test` output (stdout and stderr together):
#   tests: N passed, N failed, N skipped
# libtest counts a skipped test as passed; each test that wrote a line
# `skipped <test>: <reason> (run `bash .ci/test` to set it up)` (tests/it/common.rs, `skip`)
# is counted once, as skipped and not as passed. The line may follow other text: libtest
# writes `test <name> ... ` before the test runs when tests run one at a time.
/^test result:/ {
    for (i = 1; i < NF; i++) {
        if ($(i + 1) ~ /^passed/) passed += $i
        if ($(i + 1) ~ /^failed/) failed += $i
    }
}
match($0, /skipped [A-Za-z0-9_:]+: .*\(run `bash \.ci\/test` to set it up\)$/) {
    rest = substr($0, RSTART + length("skipped "))
    skipped[substr(rest, 1, index(rest, ": ") - 1)] = 1
}
END {
    n = 0
    for (t in skipped) n++
    printf "tests: %d passed, %d failed, %d skipped\n", passed - n, failed, n
}
