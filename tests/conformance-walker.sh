#!/bin/sh
# The shared conformance corpus through the walker backend.
exec "$(dirname "$0")/run-conformance.sh" walker
