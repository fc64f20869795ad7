#!/bin/sh
# Prints a greeting; GREETING_NAME overrides who is greeted.
echo "Hello from Blacktree, ${GREETING_NAME:-world}!"
echo "Built by a Blacktree build worker and run from the registry."
