#!/usr/bin/env bash
# Prisma's CLI looks for its schema engine at start and would try to download it; generate
# does not need it, so point it at /bin/false and stay offline.
set -euo pipefail
PRISMA_SCHEMA_ENGINE_BINARY=/bin/false exec npx prisma generate "$@"
