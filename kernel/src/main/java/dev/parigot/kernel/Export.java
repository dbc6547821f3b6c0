package dev.parigot.kernel;

/** A service name a process serves, with the handle it got for it from the export syscall. */
record Export(Process server, String name, int handle) {}
