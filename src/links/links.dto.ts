import { ApiProperty } from '@nestjs/swagger';

export class LinksRevokedView {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Links of the booking that worked until now and no longer do.' }) revoked: number;
}
