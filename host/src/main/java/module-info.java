/**
 * The app host: turns an app's manifest into a running app (the kernel, the kernel services, the
 * HTTP ingress and where output goes), for {@code parigot run}, {@code parigot test} and tests that
 * run whole apps. The entry point is {@link dev.parigot.host.AppHost}.
 */
module dev.parigot.host {
  requires transitive dev.parigot.kernel;
  // TestReport, in the test mode's API.
  requires transitive dev.parigot.services;
  // The admin endpoint's server (RATIONALE.md, "Why the JDK's HTTP server for the admin
  // endpoint?").
  requires jdk.httpserver;
  // AdminClient, for parigot ps and top.
  requires java.net.http;

  exports dev.parigot.host;
}
