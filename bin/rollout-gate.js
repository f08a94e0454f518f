#!/usr/bin/env node
// The CLI from a checkout or an install: the committed bundle, so nothing needs building first.
import '../dist/cli.js'
