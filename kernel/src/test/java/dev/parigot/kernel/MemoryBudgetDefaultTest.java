package dev.parigot.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * RATIONALE.md, "How is the kernel's memory budgeted?": by default guests may make the kernel hold
 * the JVM's maximum heap less a reserve of a quarter of it, at least 64 MiB.
 */
class MemoryBudgetDefaultTest {
  private static final long MIB = 1 << 20;

  @Test
  void theKernelKeepsAQuarterOfALargeHeap() {
    assertThat(Kernel.Builder.defaultMemoryBudget(2048 * MIB)).isEqualTo(1536 * MIB);
  }

  @Test
  void theKernelKeepsAtLeast64MibOrHalfOfASmallerHeap() {
    assertThat(Kernel.Builder.defaultMemoryBudget(200 * MIB)).isEqualTo(136 * MIB);
    assertThat(Kernel.Builder.defaultMemoryBudget(100 * MIB)).isEqualTo(50 * MIB);
  }

  @Test
  void aBudgetMustBePositive() {
    assertThatThrownBy(() -> Kernel.builder().memoryBudget(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memoryBudget must be positive: 0");
  }
}
