package dev.parigot.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandleTableTest {
  @Test
  void agreesWithAMapUnderRandomOperations() {
    var random = new Random(42);
    var table = new HandleTable();
    Map<Integer, Object> model = new HashMap<>();
    List<Integer> live = new ArrayList<>();
    int next = 1;
    for (int step = 0; step < 200_000; step++) {
      // Phases of growth and of shrinking, so the table resizes both ways.
      boolean grow = (step / 20_000) % 2 == 0;
      if (live.isEmpty() || random.nextInt(10) < (grow ? 7 : 3)) {
        int h = next++;
        Object v = "v" + h;
        table.put(h, v);
        model.put(h, v);
        live.add(h);
      } else {
        int h = live.remove(random.nextInt(live.size()));
        table.remove(h);
        model.remove(h);
      }
      int probe = random.nextInt(next + 1);
      assertThat(table.get(probe)).isEqualTo(model.get(probe));
      assertThat(table.size()).isEqualTo(model.size());
    }
    for (int h : live) {
      assertThat(table.get(h)).isEqualTo(model.get(h));
    }
    List<Object> seen = new ArrayList<>();
    table.forEach(seen::add);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(model.values());
  }

  @Test
  void aLongHeldHandleSurvivesManyNewerOnes() {
    var table = new HandleTable();
    table.put(1, "service");
    for (int h = 2; h < 1_000_000; h++) {
      table.put(h, "call");
      table.remove(h);
    }
    assertThat(table.get(1)).isEqualTo("service");
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.get(0)).isNull();
    assertThat(table.get(-5)).isNull();
    table.remove(12345);
    table.clear();
    assertThat(table.get(1)).isNull();
    assertThat(table.size()).isZero();
  }
}
