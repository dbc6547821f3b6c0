package dev.parigot.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parigot.services.proto.StatusProto.Code;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent transactions share one commit, and each still succeeds or fails on its own. */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void concurrentWritesShareOneCommitAndAFailureRollsBackOnlyItsOwnWork() throws Exception {
    try (Store store = Store.open(dir.resolve("t.db"), true);
        var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      store.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)");
      // A transaction that holds the store while the writers queue up behind it.
      var holding = new CountDownLatch(1);
      var release = new CountDownLatch(1);
      Future<?> blocker =
          pool.submit(() ->
              store.tx(c -> {
                holding.countDown();
                await(release);
                return null;
              }));
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
      long before = store.commits();
      int writers = 8;
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int k = i;
        results.add(
            pool.submit(() ->
                store.tx(c -> {
                  try (var s = c.prepareStatement("INSERT INTO t (k) VALUES (?)")) {
                    s.setInt(1, k);
                    s.executeUpdate();
                  }
                  if (k == 3) {
                    throw new Failure(Code.FAILED_PRECONDITION, "writer 3 gives up");
                  }
                  return k;
                })));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (store.queued() < writers && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertThat(store.queued()).isEqualTo(writers);
      release.countDown();
      blocker.get(10, TimeUnit.SECONDS);
      for (int i = 0; i < writers; i++) {
        if (i == 3) {
          try {
            results.get(i).get(10, TimeUnit.SECONDS);
            throw new AssertionError("writer 3 should have failed");
          } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(Failure.class).hasMessageContaining("gives up");
          }
        } else {
          assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
      }
      // The blocker's commit, then one for all eight writers.
      assertThat(store.commits() - before).isEqualTo(2);
      List<Integer> keys =
          store.tx(c -> {
            var found = new ArrayList<Integer>();
            try (var s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT k FROM t ORDER BY k")) {
              while (rs.next()) {
                found.add(rs.getInt(1));
              }
            }
            return found;
          });
      assertThat(keys).containsExactly(0, 1, 2, 4, 5, 6, 7);
    }
  }

  private static void await(CountDownLatch latch) throws SQLException {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new SQLException("not released");
      }
    } catch (InterruptedException e) {
      throw new SQLException(e);
    }
  }
}
