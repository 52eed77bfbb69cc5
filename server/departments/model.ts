import { Schema, baseOptions, type Types } from '../db/schema-helpers';

export interface DepartmentDoc {
  _id: Types.ObjectId;
  name: string;
  code: string;
  phone: string | null;
  sort: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const departmentSchema = new Schema<DepartmentDoc>(
  {
    name: { type: String, required: true, unique: true },
    code: { type: String, required: true, unique: true },
    phone: { type: String, default: null },
    sort: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
  },
  baseOptions,
);
