package dev.parigot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code parigot new}: each template makes an app that builds with the C SDK and passes its own
 * test, as a newcomer's first steps (README) go: new, make, test. Needs the guest toolchain (clang,
 * wasi-libc; .ci/run installs it).
 */
class NewCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int parigot(String... args) {
    return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"service", "http", "worker", "test"})
  void eachTemplateMakesAnAppThatBuildsAndPassesItsTest(String template, @TempDir Path dir)
      throws Exception {
    Path app = dir.resolve("my-" + template);

    assertThat(parigot("new", app.toString(), "--template", template)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("created app 'my-" + template + "'");
    Templates.make(app, Templates.buildEnv(dir));

    assertThat(parigot("check", app.resolve("app.toml").toString())).as(err.toString()).isZero();
    out.getBuffer().setLength(0);
    assertThat(parigot("test", app.resolve("app.toml").toString())).as(out + "\n" + err).isZero();
    assertThat(out.toString()).containsPattern("[1-9] passed, 0 failed");
  }

  @Test
  void theServiceTemplateNamesItsProtoPackageAfterTheApp(@TempDir Path dir) throws Exception {
    assertThat(parigot("new", dir.resolve("todo-list").toString())).as(err.toString()).isZero();

    assertThat(dir.resolve("todo-list/todo_list.proto"))
        .content()
        .contains("package todo_list.v1;");
    assertThat(dir.resolve("todo-list/app.toml")).content().contains("app = \"todo-list\"");
  }

  @Test
  void aNameThatCannotNameAnAppIsRefused(@TempDir Path dir) {
    assertThat(parigot("new", dir.resolve("My_App").toString())).isEqualTo(2);

    assertThat(err.toString()).contains("new: 'My_App' cannot name an app");
    assertThat(dir.resolve("My_App")).doesNotExist();
  }

  @Test
  void anUnknownTemplateIsRefusedNamingTheOthers(@TempDir Path dir) {
    assertThat(parigot("new", dir.resolve("x").toString(), "--template", "gui")).isEqualTo(2);

    assertThat(err.toString())
        .contains("new: no template 'gui'; one of service, http, worker, test");
  }

  @Test
  void anExistingDirectoryIsLeftAlone(@TempDir Path dir) throws Exception {
    Files.createDirectory(dir.resolve("mine"));
    Files.writeString(dir.resolve("mine/app.toml"), "mine");

    assertThat(parigot("new", dir.resolve("mine").toString())).isEqualTo(2);

    assertThat(err.toString()).contains("already exists");
    assertThat(dir.resolve("mine/app.toml")).content().isEqualTo("mine");
  }
}
