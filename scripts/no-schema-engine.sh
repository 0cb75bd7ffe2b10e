#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate/validate/format` only check that it exists; migrations go through
# the WebAssembly engine instead (scripts/db/engine.ts).
echo "The native Prisma schema engine is not installed: use npm run db:migrate / db:diff." >&2
exit 1
