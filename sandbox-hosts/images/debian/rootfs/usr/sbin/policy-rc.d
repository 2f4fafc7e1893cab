#!/bin/sh
# Installing a package must not start its service inside an image build or a container: there is no init
# system to manage it. Exit code 101 tells invoke-rc.d "action forbidden".
exit 101
