#!/bin/sh
if [ "${SERVE:-0}" = "1" ]; then
  exec httpd -f -v -p 8080 -h /www
fi
cat /www/index.html
