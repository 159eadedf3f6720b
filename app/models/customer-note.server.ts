/**
 * The merchant's notes on a customer (お客様の声). Personal data: exported with the customer's
 * data (customers/data_request) and deleted with it (customers/redact). Every statement is
 * scoped by shop and customer, so a note id from another shop or customer changes nothing.
 */
import type { PrismaClient, Tx } from "../db.server";
import type { NoteInput } from "../domain/customer-notes";

export interface CustomerNoteView {
  id: number;
  category: string;
  body: string;
  author: string | null;
  createdAt: string;
  updatedAt: string;
}

const view = (n: { id: number; category: string; body: string; author: string | null; createdAt: Date; updatedAt: Date }): CustomerNoteView => ({
  id: n.id,
  category: n.category,
  body: n.body,
  author: n.author,
  createdAt: n.createdAt.toISOString(),
  updatedAt: n.updatedAt.toISOString(),
});

export async function listNotes(prisma: PrismaClient | Tx, shop: string, customerId: number): Promise<CustomerNoteView[]> {
  const notes = await prisma.customerNote.findMany({ where: { shop, customerId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return notes.map(view);
}

export async function addNote(prisma: PrismaClient, shop: string, customerId: number, note: NoteInput, author: string | null): Promise<CustomerNoteView> {
  return view(await prisma.customerNote.create({ data: { shop, customerId, category: note.category, body: note.body, author } }));
}

/** False when the note is not this customer's (or no longer exists). */
export async function updateNote(prisma: PrismaClient, shop: string, customerId: number, noteId: number, note: NoteInput): Promise<boolean> {
  const result = await prisma.customerNote.updateMany({ where: { id: noteId, shop, customerId }, data: { category: note.category, body: note.body } });
  return result.count > 0;
}

export async function deleteNote(prisma: PrismaClient, shop: string, customerId: number, noteId: number): Promise<boolean> {
  const result = await prisma.customerNote.deleteMany({ where: { id: noteId, shop, customerId } });
  return result.count > 0;
}

/** customers/redact: the notes go with the rest of the personal data. */
export async function deleteCustomerNotes(tx: Tx, shop: string, customerGid: string): Promise<number> {
  const result = await tx.customerNote.deleteMany({ where: { shop, customer: { gid: customerGid } } });
  return result.count;
}
