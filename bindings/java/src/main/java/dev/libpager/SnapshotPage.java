package dev.libpager;

/**
 * One entry of a snapshot's page table, as {@link Snapshots#list(String)} returns it
 * (pager_snapshot_page).
 *
 * <p>Thread safety: an immutable value.
 *
 * @param index position in the page table (what {@link SnapshotSeq#pages()} refer to)
 * @param enginePage the slot the page had in the captured engine (informative)
 * @param compressed the stored bytes are one zstd frame of K || V
 * @param inParent no bytes here: the parent chain holds the content
 * @param offsetBytes file offset of the stored bytes (0 when in a parent)
 * @param storedBytes length of the stored bytes (0 when in a parent)
 * @param storedChecksum XXH3-64 of the stored bytes (0 when in a parent)
 * @param contentHashLo XXH3-128 of the uncompressed K page || V page, low half (equal hashes
 *     mean equal content, across snapshots too)
 * @param contentHashHi its high half
 */
public record SnapshotPage(long index, int enginePage, boolean compressed, boolean inParent,
                           long offsetBytes, long storedBytes, long storedChecksum,
                           long contentHashLo, long contentHashHi) {}
