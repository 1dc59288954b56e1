import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Scope } from '../../common/auth/principal';

@Entity('api_keys')
export class ApiKey {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId: string;
  @Column('bytea', { name: 'key_hash' }) keyHash: Buffer;
  @Column('text', { array: true }) scopes: Scope[];
  @Column('uuid', { name: 'site_ids', array: true }) siteIds: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt: Date | null;
}
