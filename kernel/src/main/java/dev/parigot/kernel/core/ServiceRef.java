package dev.parigot.kernel.core;

import dev.parigot.kernel.Provider;

/** What a service handle from the locate syscall stands for. */
record ServiceRef(String name, Provider provider) {}
