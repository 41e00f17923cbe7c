import type { AppDB } from '.'

/**
 * The server renamed this member's id (migration 0010: ids no longer embed the phone). What the device
 * still holds under the old id (changes waiting to be sent, refusals to show, photos to upload) is
 * theirs under the new one: else it would wait forever for a user who no longer exists.
 */
export async function adoptRenamedUser(db: AppDB, oldId: string, newId: string): Promise<void> {
  await db.transaction('rw', db.outbox, db.rejected, db.photo_uploads, async () => {
    await db.outbox.where('[userId+seq]').between([oldId, -Infinity], [oldId, Infinity]).modify({ userId: newId })
    await db.rejected.where('userId').equals(oldId).modify({ userId: newId })
    await db.photo_uploads.where('userId').equals(oldId).modify({ userId: newId })
  })
}
