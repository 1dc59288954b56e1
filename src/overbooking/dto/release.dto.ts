import { ApiProperty } from '@nestjs/swagger';
import { RELEASE_CEILING } from '../domain/release';

export class ReleaseView {
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ format: 'uuid', description: 'The session the extra seat is offered in, beside the booking, which stands.' }) sessionId: string;
  @ApiProperty({ example: '2027-01-04T09:00:00+00:00' }) start: string;
  @ApiProperty({ example: 0.42, description: `The booking's show probability when released: at most ${RELEASE_CEILING}.` }) showProbability: number;
  @ApiProperty({ example: '2027-01-03T16:20:00.000Z' }) releasedAt: string;
}
