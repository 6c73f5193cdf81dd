// The labs and equipment of the makerspaces where the acting person is lab manager.
import { api } from './api';
import { app } from './app.svelte';
import type { Lab } from '../bindings/Lab';
import type { Equipment } from '../bindings/Equipment';

export function managedCodes(): string[] {
  return [...new Set((app.profile?.roles ?? []).filter((r) => r.role === 'lab_manager').map((r) => r.makerspace_code))];
}

export async function managedLabs(): Promise<Lab[]> {
  const codes = managedCodes();
  const labs = await api.listLabs();
  return labs.filter((l) => codes.includes(l.makerspace_code));
}

export async function managedEquipment(): Promise<Equipment[]> {
  const labs = await managedLabs();
  const ids = new Set(labs.map((l) => l.id));
  return (await api.listEquipment()).filter((e) => ids.has(e.lab_id));
}
