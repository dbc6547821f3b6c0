package dev.parigot.kernel.conformance;

import dev.parigot.kernel.Kernel;
import dev.parigot.kernel.Provider;
import dev.parigot.kernel.spi.Clock;
import java.util.Map;

/**
 * What the conformance suite runs on: a transport and an engine, behind the {@link Kernel} API. The
 * suite ({@code Conf*Test}) uses nothing else, so that every transport and engine runs the same
 * tests.
 *
 * <p>The kernel module runs the suite on {@link InProcess}. Another transport runs it by depending
 * on the kernel's test jar, scanning it for {@code Conf*Test} (Surefire's {@code
 * dependenciesToScan}) and naming its own fixture, a public class with a public no-argument
 * constructor, in the system property {@value #PROPERTY}.
 */
public interface ConformanceFixture {
  /** The system property that names the fixture class. */
  String PROPERTY = "parigot.conformance.fixture";

  /**
   * A kernel, running, in which the suite launches one app.
   *
   * @param output where the app's output and process endings go
   * @param services Java providers the app's programs may require, served from the start
   * @param clock the time the kernel measures deadlines in; the suite advances it by hand
   */
  Kernel start(Kernel.Output output, Map<String, Provider> services, Clock clock);

  /** The fixture named by {@value #PROPERTY}; {@link InProcess} when it is not set. */
  static ConformanceFixture current() {
    String name = System.getProperty(PROPERTY);
    if (name == null || name.isEmpty()) {
      return new InProcess();
    }
    try {
      return (ConformanceFixture) Class.forName(name).getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException(PROPERTY + "=" + name + " is not a usable fixture: " + e, e);
    }
  }

  /** One kernel in this JVM, with the engine {@link java.util.ServiceLoader} finds. */
  final class InProcess implements ConformanceFixture {
    @Override
    public Kernel start(Kernel.Output output, Map<String, Provider> services, Clock clock) {
      var builder = Kernel.builder().output(output).clock(clock);
      services.forEach(builder::service);
      return builder.build();
    }
  }
}
