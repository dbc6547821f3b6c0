# parigot.mk: make rules for Parigot guests, for those who prefer make to
# calling sdk/c/parigot-cc directly. In your Makefile:
#
#   PARIGOT_ROOT := /path/to/parigot       # optional: found from this file
#   include $(PARIGOT_ROOT)/sdk/c/parigot.mk
#
#   all: greeter.wasm main.wasm
#   main.wasm: main.c util.c greeting.proto  # extra sources of one program
#
# A pattern rule builds X.wasm from X.c plus every other .c and .proto that
# X.wasm lists, through parigot-cc (same flags, same SDK runtime; a test
# program that includes parigot_test.h gets the test runtime, a handler that
# includes parigot_http.h the HTTP helper, without listing them). It also
# rebuilds when the SDK changes. PARIGOT_CFLAGS adds clang options, e.g.
# PARIGOT_CFLAGS = -Werror -I include.

# Immediate (:=): MAKEFILE_LIST names this file only while it is read.
ifndef PARIGOT_ROOT
PARIGOT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
endif
PARIGOT_CC ?= $(PARIGOT_ROOT)/sdk/c/parigot-cc
PARIGOT_CFLAGS ?=

# What every guest depends on besides its own sources.
PARIGOT_SDK_DEPS := $(PARIGOT_CC) $(PARIGOT_ROOT)/scripts/guest-flags \
  $(wildcard $(PARIGOT_ROOT)/sdk/c/include/*.h $(PARIGOT_ROOT)/sdk/c/src/*.c \
    $(PARIGOT_ROOT)/sdk/c/src/*/*.c)

%.wasm: %.c $(PARIGOT_SDK_DEPS)
	$(PARIGOT_CC) $(PARIGOT_CFLAGS) -o $@ $(filter %.c %.proto,$(filter-out $(PARIGOT_SDK_DEPS),$^))
