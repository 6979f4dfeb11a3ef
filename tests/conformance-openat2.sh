#!/bin/sh
# The shared conformance corpus through the openat2 backend.
exec "$(dirname "$0")/run-conformance.sh" openat2
