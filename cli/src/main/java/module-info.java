/** The {@code parigot} command line. */
module dev.parigot.cli {
  requires dev.parigot.kernel;
  requires dev.parigot.host;
  requires dev.parigot.cluster;
  requires dev.parigot.protoc;
  requires dev.parigot.services;
  requires dev.parigot.tracing;
  requires info.picocli;
  requires java.logging;

  uses dev.parigot.engine.spi.Engine;

  opens dev.parigot.cli to
      info.picocli;
}
