package dev.parigot.kernel.core;

/** A service name a process serves, with the handle it got for it from the export syscall. */
record Export(Process server, String name, int handle) {}
