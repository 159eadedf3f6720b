import { describe, expect, it } from "vitest";
import { groupCommit } from "~/lib/group-commit";

/** A writer that records its batches and takes one macrotask per write, like a transaction. */
function recordingWriter(fail?: (items: number[]) => boolean) {
  const batches: number[][] = [];
  const write = async (items: number[]) => {
    batches.push(items);
    await new Promise((r) => setTimeout(r, 5));
    if (fail?.(items)) throw new Error(`batch ${items.join(",")} failed`);
    return items.map((n) => n * 10);
  };
  return { batches, write };
}

const nextTurn = () => new Promise((r) => setTimeout(r, 1));

describe("groupCommit", () => {
  it("writes what is submitted in one turn together, and what arrives during a write in the next batch", async () => {
    const { batches, write } = recordingWriter();
    const submit = groupCommit(write, { maxBatch: 100 });
    const first = [submit(1), submit(2)];
    await nextTurn(); // the first write (5 ms) is under way
    const second = [submit(3), submit(4)];
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("never puts more than maxBatch items in one write", async () => {
    const { batches, write } = recordingWriter();
    const submit = groupCommit(write, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => submit(n)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("fails only the items of a failed batch; later batches still write", async () => {
    const { batches, write } = recordingWriter((items) => items.includes(2));
    const submit = groupCommit(write, { maxBatch: 2 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => submit(n)));
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "fulfilled", "fulfilled"]);
    // And the writer is idle again afterwards: a new item is written on its own.
    expect(await submit(9)).toBe(90);
    expect(batches.at(-1)).toEqual([9]);
  });

  it("rejects when the writer returns the wrong number of results", async () => {
    const submit = groupCommit(async (items: number[]) => items.slice(1), { maxBatch: 10 });
    await expect(submit(1)).rejects.toThrow("0 results for 1 items");
  });
});
