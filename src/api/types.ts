// API shapes of /api/v1, written by hand from docs/ARCHITECTURE.md.
// Kept in this one file so it can later become `export type { ... } from '<server schemas>'`
// (types only: no validation library may land in the mini-program bundle).

export type Role =
  | 'resident'
  | 'grid_worker'
  | 'community_staff'
  | 'dispatcher'
  | 'department_staff'
  | 'editor'
  | 'reviewer'
  | 'admin'
  | 'bot';

export type RegionLevel = 'county' | 'township' | 'community' | 'grid';

export interface RegionSummary {
  id: string;
  name: string;
  level?: RegionLevel;
  pathNames?: string[];
}

export interface Region {
  id: string;
  name: string;
  code: string;
  level: RegionLevel;
  parentId: string | null;
  path: string;
  pathNames: string[];
  childCount: number;
}

export interface Me {
  id: string;
  name: string;
  roles: Role[];
  isStaff: boolean;
  regionId: string | null;
  region: RegionSummary | null;
  scopeRegionIds: string[];
  departmentId: string | null;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: Me;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: ApiErrorDetail[];
  };
}

export interface WechatLoginInput {
  code: string;
}

export interface DevLoginInput {
  openid: string;
}

export interface PasswordLoginInput {
  username: string;
  password: string;
}

export interface RefreshInput {
  refreshToken: string;
}

export interface UpdateMeInput {
  regionId?: string;
  name?: string;
}

export interface RegionListQuery {
  parentId?: string;
  level?: RegionLevel;
  page?: number;
  pageSize?: number;
}
