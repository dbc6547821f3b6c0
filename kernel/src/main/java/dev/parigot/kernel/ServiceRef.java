package dev.parigot.kernel;

/** What a service handle from the locate syscall stands for. */
record ServiceRef(String name, Provider provider) {}
