// Tiles of the seller dashboard that other areas provide (open financing and next repayment,
// amount due). A slot is listed here when its area's schema exists: each loads
// lazily in its own chunk and renders a <KpiTile> (dashboard/Kpi.tsx) for the account, or
// nothing when the viewer's role may not read it. With no slots, the dashboard shows no
// placeholder: a tile appears only when it has a figure to show.
// Each has its own small query, so the dashboard's figures do not wait for them.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface DashboardSlot {
  key: string;
  Tile: LazyExoticComponent<ComponentType<{ accountId: string }>> | ComponentType<{ accountId: string }>;
}

export const dashboardSlots: readonly DashboardSlot[] = [
  { key: 'financing', Tile: lazy(() => import('../financing/DashboardTile')) },
  { key: 'amountDue', Tile: lazy(() => import('../billing/DashboardTile')) },
];
